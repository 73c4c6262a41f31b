/** asl-validator 4 ships no declarations: its default export as its README documents it. */
declare module 'asl-validator' {
  interface AslValidation {
    readonly isValid: boolean;
    readonly errors: readonly { readonly message?: string }[];
    errorsText(separator?: string): string;
  }
  export default function aslValidator(definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }): AslValidation;
}
