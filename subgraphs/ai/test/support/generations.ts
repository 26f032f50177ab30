import { callAi } from './graphql';
import { waitFor } from './waitFor';

/** A message generation as the tests read it. */
export interface Generation {
  id: string;
  status: string;
  suggestions: string[];
  attempts: number;
  createdAt: string;
}

export const GENERATION_FIELDS = 'id status suggestions attempts createdAt';

const READ = `
  query Read($id: ID!) {
    messageGeneration(id: $id) { ${GENERATION_FIELDS} }
  }
`;

/** Reads a generation as `userId` until it is no longer PENDING, for up to `timeoutMs`. */
export async function waitForGeneration(
  serviceUrl: string,
  userId: string,
  id: string,
  timeoutMs = 20_000,
): Promise<Generation> {
  const generation = await waitFor(
    `generation ${id} to leave PENDING`,
    async () => {
      const response = await callAi<{ messageGeneration: Generation | null }>(
        serviceUrl,
        userId,
        READ,
        { id },
      );
      if (response.errors)
        throw new Error(`messageGeneration failed: ${response.errors[0]?.message}`);
      return response.data?.messageGeneration ?? null;
    },
    (read) => read !== null && read.status !== 'PENDING',
    { timeoutMs },
  );
  return generation!;
}
