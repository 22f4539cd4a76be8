export function ActivityScreen(_props: { recordId?: string }) {
  return <div />;
}
