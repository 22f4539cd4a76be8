// Light, dark, or whatever the system says. The CSS follows prefers-color-scheme unless data-theme is set.
export type ThemeChoice = 'system' | 'light' | 'dark';

export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}
