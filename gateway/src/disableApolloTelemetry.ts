// @apollo/gateway starts an anonymous usage exporter at construction unless this variable is
// set, and that exporter probes cloud metadata addresses and sends data to Apollo. The gateway
// must make no connection except to its subgraphs, so the variable is forced here, in the first
// module the entry point imports, whatever the environment sets.
process.env.APOLLO_TELEMETRY_DISABLED = 'true';

export {};
