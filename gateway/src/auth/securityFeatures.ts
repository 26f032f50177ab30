import { DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES } from '@apollo/federation-internals';

/** The security specs whose directives the authorization plugin enforces. */
const ENFORCED_SECURITY_FEATURES = [
  'https://specs.apollo.dev/authenticated/v0.1',
  'https://specs.apollo.dev/requiresScopes/v0.1',
];

/**
 * Lets @apollo/gateway load supergraphs that link the authenticated and requiresScopes specs.
 * The specs are linked `for: SECURITY`, so a gateway that does not enforce them refuses the
 * supergraph, and @apollo/gateway 2.14 enforces neither. The authorization plugin does, so it
 * calls this when it is installed; a gateway without the plugin still refuses them.
 */
export function acceptEnforcedSecurityFeatures(): void {
  for (const url of ENFORCED_SECURITY_FEATURES) DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES.add(url);
}
