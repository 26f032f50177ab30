import { badUserInput } from './errors';

/**
 * Trims a string input and checks its length, so that every text field has an upper bound and
 * a blank value is caught with the field's name.
 */
export function requireText(
  value: string,
  field: string,
  limits: { min?: number; max: number },
): string {
  const text = value.trim();
  const min = limits.min ?? 1;
  rejectControlCharacters(text, field);
  // Lengths count characters as people see them (code points), not UTF-16 units.
  const length = [...text].length;
  if (length < min) {
    throw badUserInput(
      min === 1
        ? `"${field}" must not be empty.`
        : `"${field}" must be at least ${min} characters.`,
      field,
    );
  }
  if (length > limits.max) {
    throw badUserInput(
      `"${field}" must be at most ${limits.max} characters, received ${length}.`,
      field,
    );
  }
  return text;
}

// C0 control characters and DEL, except tab, line feed and carriage return. NUL in particular
// cannot be stored by PostgreSQL, which FerretDB may use underneath.
// eslint-disable-next-line no-control-regex -- matching control characters is the point.
const controlCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Rejects text containing control characters other than tab and line breaks. */
export function rejectControlCharacters(text: string, field: string): void {
  if (controlCharacters.test(text)) {
    throw badUserInput(`"${field}" must not contain control characters.`, field);
  }
}

// A practical address check: one @, no spaces, a dot in the domain. Full RFC 5322 is not the aim.
const emailPattern = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@.]{2,}$/;

/** Normalizes and validates an email address. */
export function requireEmail(value: string, field = 'email'): string {
  const email = value.trim().toLowerCase();
  rejectControlCharacters(email, field);
  if (email.length > 254 || !emailPattern.test(email)) {
    throw badUserInput(`"${field}" is not a valid email address.`, field);
  }
  return email;
}

/** Validates an IANA time zone name such as Europe/Paris. */
export function requireTimeZone(value: string, field = 'timeZone'): string {
  const zone = value.trim();
  try {
    if (zone.length > 0 && zone.length <= 64) {
      return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    }
  } catch {
    // Intl raises RangeError for an unknown zone; reported below.
  }
  throw badUserInput(`"${field}" must be an IANA time zone name such as Europe/Paris.`, field);
}
