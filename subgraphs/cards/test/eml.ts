/**
 * Decodes the quoted-printable parts of a raw .eml as far as the tests need: removes soft line
 * breaks and turns `=XX` escapes into their ASCII characters, so a long link reads whole again.
 */
export function decodeQuotedPrintable(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
