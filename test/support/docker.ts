import Docker from "dockerode";

export const SANDBOX_IMAGE = process.env.OPSGUARD_IMAGE ?? "opsguard-sandbox:py3.11";

/**
 * Docker tests never skip: when the engine or the image is missing they fail with what to do.
 * Call in beforeAll of every test file that needs the real engine.
 */
export async function requireDocker(): Promise<Docker> {
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (err) {
    throw new Error(
      `These tests need a running Docker engine (${String(err)}). Start one with \`bash scripts/ensure-docker.sh\`.`,
    );
  }
  try {
    await docker.getImage(SANDBOX_IMAGE).inspect();
  } catch {
    throw new Error(`These tests need the sandbox image ${SANDBOX_IMAGE}. Build it with \`npm run sandbox:image\`.`);
  }
  return docker;
}
