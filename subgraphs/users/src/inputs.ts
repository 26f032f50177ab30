import { badUserInput, requireEmail, requireText, requireTimeZone } from '@heartfelt/kit';
import type { AddContactInput, SignUpInput } from './generated/resolvers';

/** Password length bounds, in Unicode code points. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

/** A validated `SignUpInput`: email lower-cased, display name trimmed. */
export interface SignUpFields {
  email: string;
  password: string;
  displayName: string;
}

/** A validated `AddContactInput`: texts trimmed, email lower-cased, time zone canonical. */
export interface ContactFields {
  name: string;
  relationship: string;
  birthday: string | null;
  timeZone: string;
  email: string;
}

/**
 * Checks a new password's length. The password is used as typed, without trimming, and the
 * error never echoes it.
 */
export function requirePassword(password: string, field = 'password'): string {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    throw badUserInput(
      `"${field}" must be at least ${PASSWORD_MIN_LENGTH} characters, received ${length}.`,
      field,
    );
  }
  if (length > PASSWORD_MAX_LENGTH) {
    throw badUserInput(
      `"${field}" must be at most ${PASSWORD_MAX_LENGTH} characters, received ${length}.`,
      field,
    );
  }
  return password;
}

export function parseSignUpInput(input: SignUpInput): SignUpFields {
  return {
    email: requireEmail(input.email),
    password: requirePassword(input.password),
    displayName: requireText(input.displayName, 'displayName', { max: 60 }),
  };
}

/**
 * Returns the latest calendar date anywhere on Earth at `now`, as YYYY-MM-DD. The date in
 * UTC+14 (Line Islands) is never behind any other zone's, so a birthday of "today" is accepted
 * wherever the user is.
 */
function latestDateOnEarth(now: Date): string {
  const fourteenHoursMs = 14 * 60 * 60 * 1000;
  return new Date(now.getTime() + fourteenHoursMs).toISOString().slice(0, 10);
}

/**
 * Checks that a date is not in the future. The `Date` scalar has already checked that it is a
 * real YYYY-MM-DD date.
 */
export function requirePastDate(date: string, field: string, now: Date): string {
  const latest = latestDateOnEarth(now);
  // YYYY-MM-DD strings compare in calendar order.
  if (date > latest) {
    throw badUserInput(`"${field}" must not be in the future, received ${date}.`, field);
  }
  return date;
}

export function parseAddContactInput(input: AddContactInput, now: Date): ContactFields {
  return {
    name: requireText(input.name, 'name', { max: 80 }),
    relationship: requireText(input.relationship, 'relationship', { max: 40 }),
    birthday: input.birthday == null ? null : requirePastDate(input.birthday, 'birthday', now),
    timeZone: requireTimeZone(input.timeZone),
    email: requireEmail(input.email),
  };
}
