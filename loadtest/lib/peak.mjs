// The expected peak: 40% of the throughput at which the graph saturates on this machine.
import { findSaturation } from './saturation.mjs';
import { readResult, saveResult } from './report.mjs';

export const PEAK_SHARE_OF_SATURATION = 0.4;

/** Step length of the saturation search, in seconds, for full and short runs. */
export const SATURATION_STEP_SECONDS = { full: 20, short: 8 };

/** Measures saturation on a running stack and saves the expected peak for later scripts. */
export async function measurePeak({ gatewayUrl, users, short, log }) {
  const saturation = await findSaturation({
    gatewayUrl,
    users,
    stepSeconds: short ? SATURATION_STEP_SECONDS.short : SATURATION_STEP_SECONDS.full,
    startRate: 8,
    factor: 1.3,
    log,
  });
  const peak = {
    visitsPerSecond: round(PEAK_SHARE_OF_SATURATION * saturation.saturationVisitsPerSecond),
    saturationVisitsPerSecond: round(saturation.saturationVisitsPerSecond),
    saturationRequestsPerSecond: round(saturation.saturationRequestsPerSecond),
    measuredAt: new Date().toISOString(),
    short: Boolean(short),
  };
  await saveResult('peak', peak);
  return { peak, saturation };
}

/**
 * Returns the expected peak in visits per second: `--rate` when given, else the one saved by
 * the last saturation search, else a new search on this stack.
 */
export async function expectedPeak({ rateOption, gatewayUrl, users, short, log }) {
  if (rateOption !== undefined) {
    const rate = Number(rateOption);
    if (!(rate > 0))
      throw new Error(
        `--rate must be a positive number of visits per second, received ${rateOption}`,
      );
    return { visitsPerSecond: rate, source: '--rate' };
  }
  const saved = await readResult('peak');
  if (saved) {
    return { ...saved, source: `the saturation search of ${saved.measuredAt}` };
  }
  log('no saved expected peak (.data/loadtest/peak.json), so measuring saturation first');
  const { peak } = await measurePeak({ gatewayUrl, users, short, log });
  return { ...peak, source: 'a saturation search at the start of this run' };
}

function round(value) {
  return Math.round(value * 10) / 10;
}
