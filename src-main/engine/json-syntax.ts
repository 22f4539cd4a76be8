// A JSON (or JSONC) syntax error from jsonc-parser as a person reads it, not as its code name
// (`InvalidCommentToken`). Pure.
import { printParseErrorCode, type ParseErrorCode } from 'jsonc-parser';

const SYNTAX: Record<string, string> = {
  ValueExpected: 'a value is expected here (a trailing comma, or a missing value?)',
  CommaExpected: 'a comma is expected between items',
  ColonExpected: 'a colon is expected after a key',
  PropertyNameExpected: 'a key in double quotes is expected (a trailing comma?)',
  CloseBraceExpected: 'a closing } is missing',
  CloseBracketExpected: 'a closing ] is missing',
  InvalidCommentToken: 'comments are not allowed in this file',
  InvalidSymbol: 'an unexpected character',
  EndOfFileExpected: 'more text after the end of the JSON object',
  UnexpectedEndOfComment: 'a comment that is never closed',
  UnexpectedEndOfString: 'a string that is never closed',
  UnexpectedEndOfNumber: 'a number that ends too soon',
  InvalidUnicode: 'a \\u escape that is not valid',
  InvalidEscapeCharacter: 'a \\ escape that is not valid',
  InvalidCharacter: 'a character that is not allowed inside a string (a raw tab or line break?)',
};

export function describeSyntaxError(code: ParseErrorCode): string {
  const name = printParseErrorCode(code);
  return SYNTAX[name] ?? name;
}
