import { fileURLToPath } from 'node:url';
import { loadSync } from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { inferencePackage, LOAD_OPTIONS } from './proto.ts';

const PROTO = fileURLToPath(new URL('grpc-predict-v2.proto', import.meta.url));

describe('the embedded OIP v2 gRPC definition', () => {
  it('describes exactly the services and messages of grpc-predict-v2.proto', () => {
    const fromFile = loadSync(PROTO, LOAD_OPTIONS);
    const embedded = inferencePackage();
    expect(Object.keys(embedded).sort()).toEqual(Object.keys(fromFile).sort());
    expect(Object.keys(embedded)).toContain('inference.GRPCInferenceService');
    for (const [name, definition] of Object.entries(fromFile)) {
      const own = embedded[name] as unknown as Record<string, unknown>;
      if ('format' in definition) {
        // A message or enum: its descriptor (field names, numbers, types, labels) must match.
        expect(own.type, name).toEqual(definition.type);
      } else {
        const methods = definition as Record<string, { path: string; requestType: { type: unknown } }>;
        for (const [method, spec] of Object.entries(methods)) {
          const ownMethod = (own as Record<string, { path: string; requestType: { type: unknown } }>)[method];
          expect(ownMethod?.path, method).toBe(spec.path);
          expect(ownMethod?.requestType.type, method).toEqual(spec.requestType.type);
        }
      }
    }
  });
});
