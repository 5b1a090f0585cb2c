/**
 * Short messages to a phone (one-time codes, later notifications). The console sender is the
 * default so a fresh install works without an SMS gateway; it prints to stdout, not to the log,
 * because the log is scrubbed of phone numbers and codes and is shipped elsewhere.
 */
export interface MessageSender {
  readonly name: string;
  send(toE164: string, text: string): Promise<void>;
}

export function consoleSender(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): MessageSender {
  return {
    name: 'console',
    async send(to, text) {
      write(`[sms → ${to.slice(0, 6)}****${to.slice(-3)}] ${text}`);
    },
  };
}

/** Keeps messages in memory: tests read the one-time codes from here. */
export function memorySender(): MessageSender & { messages: { to: string; text: string }[]; lastCodeFor(to: string): string | undefined } {
  const messages: { to: string; text: string }[] = [];
  return {
    name: 'memory',
    messages,
    async send(to, text) {
      messages.push({ to, text });
    },
    lastCodeFor(to) {
      const m = [...messages].reverse().find((x) => x.to === to);
      return m?.text.match(/\b(\d{6})\b/)?.[1];
    },
  };
}
