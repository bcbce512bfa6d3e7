// `peregrine validate FILE...` (Falco's -V): load rules files and report errors and warnings.
export interface ValidateOptions {
  files: string[];
  json: boolean;
}

export async function validateCommand(_opts: ValidateOptions): Promise<number> {
  process.stderr.write('peregrine validate: not implemented yet\n');
  return 1;
}
