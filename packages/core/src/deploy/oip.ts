import { callJson, errorText, trimUrl } from './http.ts';
import { DeployCheckError, type InferAnswer, type InferenceEndpoint, type InferRequest } from './types.ts';

/**
 * An Open Inference Protocol (KServe v2) endpoint: `POST /v2/models/{name}/infer`, or
 * `/v2/models/{name}/versions/{version}/infer` to pin one version. The built-in server and
 * KServe's runtimes both speak it, so the smoke check is the same for both.
 */
export function oipEndpoint(baseUrl: string, model: string, version?: string): InferenceEndpoint {
  const path =
    version === undefined
      ? `/v2/models/${encodeURIComponent(model)}/infer`
      : `/v2/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version)}/infer`;
  const url = `${trimUrl(baseUrl)}${path}`;
  return {
    describe: url,
    async infer(request: InferRequest): Promise<InferAnswer> {
      const answer = await callJson('POST', url, {
        body: {
          inputs: [
            {
              name: request.input.name,
              shape: request.input.shape,
              datatype: request.input.datatype,
              data: Array.from(request.data),
            },
          ],
          outputs: [{ name: request.output }],
        },
      });
      if (answer.status !== 200) {
        throw new DeployCheckError(`${url} answered ${answer.status}: ${errorText(answer)}`);
      }
      const outputs = (answer.body as { outputs?: unknown } | undefined)?.outputs;
      const output = Array.isArray(outputs)
        ? (outputs as Array<{ name?: unknown; shape?: unknown; data?: unknown }>).find(
            (o) => o.name === request.output,
          )
        : undefined;
      if (output === undefined || !Array.isArray(output.shape) || !Array.isArray(output.data)) {
        throw new DeployCheckError(
          `${url} answered without an output '${request.output}' with shape and data`,
        );
      }
      return {
        version: answer.headers.get('x-modelgate-version') ?? undefined,
        shape: output.shape as number[],
        data: output.data as number[],
      };
    },
  };
}
