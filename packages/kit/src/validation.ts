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
  if (text.length < min) {
    throw badUserInput(
      min === 1
        ? `"${field}" must not be empty.`
        : `"${field}" must be at least ${min} characters.`,
      field,
    );
  }
  if (text.length > limits.max) {
    throw badUserInput(
      `"${field}" must be at most ${limits.max} characters, received ${text.length}.`,
      field,
    );
  }
  return text;
}

// A practical address check: one @, no spaces, a dot in the domain. Full RFC 5322 is not the aim.
const emailPattern = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@.]{2,}$/;

/** Normalizes and validates an email address. */
export function requireEmail(value: string, field = 'email'): string {
  const email = value.trim().toLowerCase();
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
