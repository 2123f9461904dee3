/** The `verifyProof` command's flags and their parsed type, shared by its declaration and its work. */

