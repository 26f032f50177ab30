import {
  createEntityLoader,
  isId,
  ownerOf,
  type EntityCache,
  type ServiceMetrics,
} from '@heartfelt/kit';
import DataLoader from 'dataloader';
import type { MessageAnalysisCache } from './analysis/analysisCache';
import { analyzeMessage, messageHashOf, type MessageAnalysis } from './analysis/messageAnalysis';
import type { GenerationDocument } from './repository/documents';
import type { GenerationRepository } from './repository/generations';

/** Maximum messages per MGET, so that a page of up to 1,000 cards takes one. */
const MAX_ANALYSIS_BATCH_SIZE = 1000;

export interface Loaders {
  generationById: DataLoader<string, GenerationDocument | null>;
  /** Sentiment and music by card message; never queries the store. */
  messageAnalysis: DataLoader<string, MessageAnalysis>;
}

/** Builds the DataLoaders of one request. */
export function createLoaders(options: {
  generations: GenerationRepository;
  analysisCache: MessageAnalysisCache;
  metrics: ServiceMetrics;
  cache: EntityCache;
}): Loaders {
  const { generations, analysisCache, metrics, cache } = options;
  return {
    generationById: createEntityLoader({
      entity: 'generation',
      load: (ids) => generations.findByIds(ids),
      idOf: (generation) => generation._id,
      metrics,
      cache,
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
