// The local Step Functions interpreter needs Promise.withResolvers, which Node 20 lacks.
import '../local/stepfunctions/polyfills.ts';
