import {
  createListLoader,
  isId,
  ownerOf,
  type EntityCache,
  type ServiceMetrics,
} from '@heartfelt/kit';
import DataLoader from 'dataloader';
import type { MessageAnalysisCache } from './analysis/analysisCache';
import { analyzeMessage, messageHashOf, type MessageAnalysis } from './analysis/messageAnalysis';
import type { GenerationDocument, ReminderDocument } from './repository/documents';
import type { GenerationRepository } from './repository/generations';
import type { ReminderRepository } from './repository/reminders';

/** Entity name of the generation cache keys, `hf:v1:generation:<id>`. */
export const GENERATION_ENTITY = 'generation';

/** Maximum generations per store query. */
const MAX_GENERATION_BATCH_SIZE = 500;

/** Maximum messages per MGET, so that a page of up to 1,000 cards takes one. */
const MAX_ANALYSIS_BATCH_SIZE = 1000;

export interface Loaders {
  generationById: DataLoader<string, GenerationDocument | null>;
  /**
   * A user's reminders dated today (UTC) or later, soonest first. Not cached, because
   * ai-worker adds reminders without a request to invalidate through.
   */
  upcomingRemindersByOwner: DataLoader<string, ReminderDocument[]>;
  /** Sentiment and music by card message; never queries the store. */
  messageAnalysis: DataLoader<string, MessageAnalysis>;
}

/** Builds the DataLoaders of one request. */
export function createLoaders(options: {
  generations: GenerationRepository;
  reminders: ReminderRepository;
  analysisCache: MessageAnalysisCache;
  metrics: ServiceMetrics;
  cache: EntityCache;
}): Loaders {
  const { generations, reminders, analysisCache, metrics, cache } = options;
  const today = new Date().toISOString().slice(0, 10);
  return {
    generationById: createGenerationLoader(generations, metrics, cache),
    upcomingRemindersByOwner: createListLoader({
      name: 'upcoming-reminders-by-owner',
      load: (ownerIds) => reminders.findUpcomingByOwners(ownerIds, today),
      parentOf: (reminder) => reminder.ownerId,
      metrics,
    }),
    messageAnalysis: new DataLoader<string, MessageAnalysis>(
      async (messages) => {
        metrics.loaderBatchSize.observe({ loader: 'message-analysis' }, messages.length);
        return loadAnalyses(messages, analysisCache);
      },
      { maxBatchSize: MAX_ANALYSIS_BATCH_SIZE },
    ),
  };
}

/**
 * Creates the loader of generations by id: one cache MGET, then one store query for the misses.
 * Only COMPLETED and FAILED generations are cached. They never change again, whereas caching a
 * PENDING one could race with ai-worker: a read that started before the worker's write could
 * store the old state after the worker's invalidation and hide the outcome until the entry
 * expires.
 */
function createGenerationLoader(
  generations: GenerationRepository,
  metrics: ServiceMetrics,
  cache: EntityCache,
): DataLoader<string, GenerationDocument | null> {
  return new DataLoader<string, GenerationDocument | null>(
    async (ids) => {
      metrics.loaderBatchSize.observe({ loader: GENERATION_ENTITY }, ids.length);
      const found = await cache.getMany<GenerationDocument>(GENERATION_ENTITY, ids);

      const misses = ids.filter((id) => !found.has(id));
      if (misses.length > 0) {
        const loaded = await generations.findByIds(misses);
        for (const generation of loaded) found.set(generation._id, generation);
        const final = loaded.filter((generation) => generation.status !== 'PENDING');
        await cache.setMany(
          GENERATION_ENTITY,
          final.map((generation) => [generation._id, generation]),
        );
      }
      return ids.map((id) => found.get(id) ?? null);
    },
    { maxBatchSize: MAX_GENERATION_BATCH_SIZE },
  );
}

/**
 * Analyses a batch of messages: one MGET for all of them, computation for the misses, and one
 * pipeline that caches what was computed.
 */
async function loadAnalyses(
  messages: readonly string[],
  analysisCache: MessageAnalysisCache,
): Promise<MessageAnalysis[]> {
  const hashes = messages.map(messageHashOf);
  const found = await analysisCache.getMany([...new Set(hashes)]);

  const computed: Array<[string, MessageAnalysis]> = [];
  const analyses = messages.map((message, index) => {
    const hash = hashes[index]!;
    let analysis = found.get(hash);
    if (!analysis) {
      analysis = analyzeMessage(message, hash);
      found.set(hash, analysis);
      computed.push([hash, analysis]);
    }
    return analysis;
  });

  await analysisCache.setMany(computed);
  return analyses;
}

/**
 * Loads a generation for `userId`, or returns null when the id is malformed, names another
 * user's generation or does not exist. Another user's id causes no store query.
 */
export async function loadOwnGeneration(
  loaders: Loaders,
  userId: string,
  id: string,
): Promise<GenerationDocument | null> {
  if (!isId('generation', id) || ownerOf(id) !== userId) return null;
  const generation = await loaders.generationById.load(id);
  return generation?.ownerId === userId ? generation : null;
}
