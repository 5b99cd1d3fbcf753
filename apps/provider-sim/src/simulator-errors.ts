export class UnknownProviderError extends Error {
  constructor(id: string) {
    super(`No simulated provider "${id}"`);
    this.name = 'UnknownProviderError';
  }
}

export class DuplicateProviderError extends Error {
  constructor(id: string) {
    super(`A simulated provider "${id}" already exists`);
    this.name = 'DuplicateProviderError';
  }
}
