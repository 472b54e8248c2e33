/** Recognising the database errors a sign-in handles instead of reporting them as server errors. */

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && error.name === 'SequelizeUniqueConstraintError';
}

/**
 * The database could not take the write now: SQLite's single writer (`SQLITE_BUSY`, which Sequelize reports as a
 * TimeoutError), PostgreSQL's serialization failure or deadlock. Trying again shortly is the remedy.
 */
export function isBusy(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { parent?: { code?: string } }).parent?.code;
  return (
    error.name === 'SequelizeTimeoutError' ||
    code === 'SQLITE_BUSY' ||
    code === '40001' ||
    code === '40P01' ||
    /SQLITE_BUSY/.test(error.message)
  );
}

/**
 * Runs `fn` again, with growing randomised pauses, while the database says it is busy: a burst of sign-ins on
 * SQLite (one writer at a time) otherwise refuses some of them. `fn` must be safe to repeat.
 */
export async function retryWhenBusy<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (!isBusy(error) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt + Math.random() * 100));
    }
  }
}
