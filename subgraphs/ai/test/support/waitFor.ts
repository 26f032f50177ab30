/**
 * Calls `read` every `intervalMs` until `isDone` accepts its value, and returns that value.
 * Throws after `timeoutMs`, naming `description` and the last value read.
 */
export async function waitFor<T>(
  description: string,
  read: () => Promise<T>,
  isDone: (value: T) => boolean,
  { timeoutMs = 20_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${description}; last value: ${JSON.stringify(value)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
