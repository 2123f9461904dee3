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

export function extractEvidenceStream(stderr: string, nonce: string): EvidenceStream {
  const records: unknown[] = [];
  let forged = false;
  const kept: string[] = [];
  const lines = stderr.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const match = LINE.exec(lines[i]!);
    if (!match) {
      kept.push(lines[i]!);
      continue;
    }
    // The runner writes a blank line before each record so it never joins a partial line.
    if (kept.at(-1) === "") kept.pop();
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
