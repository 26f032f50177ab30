export * from './dataServices';
export * from './graph';
export * from './http';
export * from './repoRoot';
export * from './secrets';
