import { verifyProof } from "../proof/verifyProof.js";
import { EXIT } from "../exitCodes.js";
import { defaultIo } from "./output.js";
import { reportError } from "./reportError.js";
import { parseEnvPairs } from "../state/runInputs.js";

export async function runVerifyProof(dir: string, repo: string, envPairs: string[] = []): Promise<number> {
  try {
    const env = parseEnvPairs(envPairs);
    const checks = await verifyProof(dir, repo, (line) => process.stderr.write(`[verify-proof] ${line}\n`), { env });
    const failed = checks.filter((c) => !c.ok);
    if (failed.length === 0) {
      process.stdout.write("Proof holds: the repository matches the bundle and the evidence reproduces.\n");
      return EXIT.SUCCESS;
    }
    process.stdout.write(`Proof does not hold:\n${failed.map((c) => `- ${c.name}: ${c.detail}`).join("\n")}\n`);
    return EXIT.FAILED;
  } catch (err) {
    return reportError(err, defaultIo);
  }
}
