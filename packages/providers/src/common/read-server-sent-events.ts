import { createParser, type EventSourceMessage, ParseError } from 'eventsource-parser';

/**
 * The most one event may buffer, in characters. A stream that never ends its line or its event
 * would otherwise grow the buffer without bound; a real chunk is a few hundred characters.
 */
export const MAX_EVENT_CHARACTERS = 4 * 1024 * 1024;

/**
 * The events of a `text/event-stream` body, in order, as the specification parses them: any of
 * CRLF, LF or a lone CR ends a line, and the `data:` lines of one event are joined with `\n`.
 * An event the body ends in the middle of is dropped, as the specification says. Throws a
 * `ParseError` (`max-buffer-size-exceeded`) for an event over `MAX_EVENT_CHARACTERS`.
 */
export async function* readServerSentEvents(
  body: AsyncIterable<Uint8Array>,
): AsyncGenerator<EventSourceMessage> {
  const events: EventSourceMessage[] = [];
  let overflow: ParseError | undefined;
  const parser = createParser({
    maxBufferSize: MAX_EVENT_CHARACTERS,
    onEvent: (event) => events.push(event),
    // Unknown fields and bad `retry` values are ignored, as the specification says.
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') overflow = error;
    },
  });
  const decoder = new TextDecoder();
  let endsWithCarriageReturn = false;
  const feed = (text: string) => {
    if (text === '') return;
    parser.feed(text);
    if (overflow) throw overflow;
    endsWithCarriageReturn = text.endsWith('\r');
  };
  for await (const bytes of body) {
    feed(decoder.decode(bytes, { stream: true }));
    yield* events.splice(0);
  }
  feed(decoder.decode());
  // The parser holds back a CR that ends its input, since an LF may follow in the next read and
  // CRLF is one line end. At the end of the body it is a line end on its own: an LF completes it
  // as exactly one (a final blank line then still ends the last event, and nothing more).
  if (endsWithCarriageReturn) feed('\n');
  yield* events.splice(0);
}

export { ParseError };
