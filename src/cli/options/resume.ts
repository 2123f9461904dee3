/** The `resume` command's flags and their parsed type, shared by its declaration and its work. */
export interface ResumeArgs {
  thread: string;
  artifacts: string;
  checkpoint?: string;
  approve: boolean;
  reject: boolean;
  json: boolean;
}
