declare module 'asl-validator' {
  /** asl-validator 4.0.0 (dist/src/validator.js), which ships no type declarations. */
  interface AslValidationError {
    readonly 'Error code': string;
    readonly Message: string;
  }
  interface AslValidationResult {
    readonly isValid: boolean;
    readonly errors: readonly AslValidationError[];
    errorsText(separator?: string): string;
  }
  export default function aslValidator(definition: unknown, options?: { checkPaths: boolean; checkArn: boolean }): AslValidationResult;
}
