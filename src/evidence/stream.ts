/**
 * Streamed evidence: the pytest plugin writes one nonce-tagged record per line as the run goes
 * (sandbox/python/opsguard_pytest.py), so a run that is killed keeps what it wrote before. Pure.
 */
const LINE = /^OPSGUARD-EVIDENCE:([0-9a-f]+):(.*)$/;

export interface EvidenceStream {
  /** The records with this run's nonce, in the order they were written. */
  records: unknown[];
  /** stderr without the evidence lines. */
  stderr: string;
  /** A line with another nonce, or one that is not JSON, appeared. */
  forged: boolean;
}

/**
 * Splits stderr into the lines a runner tagged (those `line` matches) and the rest. A runner writes a
 * blank line before each tagged line so that it never joins a partial one: that blank line goes too.
 */
export function splitTagged(stderr: string, line: RegExp): { tagged: RegExpExecArray[]; kept: string[] } {
  const tagged: RegExpExecArray[] = [];
  const kept: string[] = [];
  for (const text of stderr.split("\n")) {
    const match = line.exec(text);
    if (!match) {
      kept.push(text);
      continue;
    }
    if (kept.at(-1) === "") kept.pop();
    tagged.push(match);
  }
  return { tagged, kept };
}

export function extractEvidenceStream(stderr: string, nonce: string): EvidenceStream {
  const records: unknown[] = [];
  let forged = false;
  const { tagged, kept } = splitTagged(stderr, LINE);
  for (const match of tagged) {
    if (match[1] !== nonce) {
      forged = true;
      continue;
    }
    try {
      records.push(JSON.parse(match[2]!));
    } catch {
      forged = true;
    }
  }
  return { records, stderr: records.length > 0 ? kept.join("\n") : stderr, forged };
}
