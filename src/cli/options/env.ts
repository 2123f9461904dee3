/** The `env` command's flags and their parsed type, shared by its declaration and its work. */
export interface EnvArgs {
  repo: string;
  image?: string;
  requirements: string[];
  install: boolean;
}
