// Operations that the store-read and tracing-cost benchmarks both send, written out with
// fixed selections so that both measure the same work.

export const DASHBOARD = `query Dashboard($first: Int!) {
  me { displayName cards(first: $first) { edges { node {
    id status sendAt message
    template { title occasion priceCents }
    sentiment { label score }
    musicSuggestions { title artist }
    order { status amountCents }
  } } pageInfo { hasNextPage endCursor } } }
  templates(occasion: BIRTHDAY, first: 12) { edges { node { id title priceCents } } }
}`;
export const BROWSE = `query Browse($occasion: Occasion, $first: Int!) {
  templates(occasion: $occasion, first: $first) {
    edges { node { id title occasion tags artworkUrl priceCents } }
  }
}`;
export const CARD = `query Card($id: ID!) {
  card(id: $id) { id status message template { title } order { status } }
}`;
