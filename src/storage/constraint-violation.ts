/*
 * Constraint violations, recognized in both drivers' terms: better-sqlite3 sets `code` to
 * SQLITE_CONSTRAINT_*, pg to the SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 */

function codeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
}

/** A primary-key or unique constraint refused the write. */
export function isUniqueViolation(err: unknown): boolean {
  const code = codeOf(err);
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}

/** A foreign key refused the write (the referenced row does not exist). */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = codeOf(err);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
