import { Type } from 'typebox';

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'ErrorResponse' },
);

const errorRef = Type.Ref('ErrorResponse');
/** Error answers every authenticated route may give. */
export const errorResponses = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef };

export const ProjectParams = Type.Object({ projectId: Type.String({ maxLength: 64 }) });
export const ProjectItemParams = Type.Object({
  projectId: Type.String({ maxLength: 64 }),
  id: Type.String({ maxLength: 64 }),
});

export const Name = Type.String({ minLength: 1, maxLength: 200 });
export const Id = Type.String({ minLength: 1, maxLength: 64 });
export const NullableId = Type.Union([Id, Type.Null()]);
export const Timestamp = Type.Integer({ description: 'epoch milliseconds' });
