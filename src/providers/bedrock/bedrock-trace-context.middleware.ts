import type {
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
} from '@aws-sdk/client-bedrock-runtime';

type BedrockCommand = ConverseCommand | ConverseStreamCommand | InvokeModelCommand;

/**
 * Sends the attempt's W3C Trace Context headers with one SDK command. Added at the build step,
 * before SigV4 signs the request at finalize, so they go out as signed headers (a signature over
 * headers changed afterwards would be refused). Nothing is added without them.
 */
export function withTraceContext<C extends BedrockCommand>(
  command: C,
  traceContext: Readonly<Record<string, string>> | undefined,
): C {
  if (traceContext === undefined) return command;
  // Every command's stack takes the same build middleware; only its input and output types differ.
  const stack = command.middlewareStack as ConverseCommand['middlewareStack'];
  stack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> } | undefined;
      if (request?.headers !== undefined) Object.assign(request.headers, traceContext);
      return next(args);
    },
    { step: 'build', name: 'gatewayTraceContext' },
  );
  return command;
}
