// Types for the part of @doyensec/csp-evaluator (Google's CSP Evaluator, shipped with Electronegativity)
// the security-policy test uses; the package has none of its own.
declare module '@doyensec/csp-evaluator' {
  export const Version: { readonly CSP1: 1; readonly CSP2: 2; readonly CSP3: 3 };
  /** Lower is more serious: HIGH 10, SYNTAX 20, MEDIUM 30, HIGH_MAYBE 40, STRICT_CSP 45, MEDIUM_MAYBE 50, INFO 60. */
  export const severities: Readonly<
    Record<
      'HIGH' | 'SYNTAX' | 'MEDIUM' | 'HIGH_MAYBE' | 'STRICT_CSP' | 'MEDIUM_MAYBE' | 'INFO' | 'NONE',
      number
    >
  >;
  export interface Finding {
    type: number;
    description: string;
    severity: number;
    directive: string;
    value?: string;
  }
  export class Csp {}
  export class CspParser {
    constructor(policy: string);
    csp: Csp;
  }
  export class CspEvaluator {
    constructor(csp: Csp, version?: number);
    evaluate(): Finding[];
  }
}
