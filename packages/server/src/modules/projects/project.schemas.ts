import { Type } from 'typebox';
import { Name, NullableId, Timestamp } from '../../http/schemas.js';

const Settings = Type.Object({
  repeatCallerDays: Type.Integer({ minimum: 0, maximum: 365 }),
  repeatCallerAttribution: Type.Union([Type.Literal('first'), Type.Literal('last')]),
  targetCall: Type.Object({
    answeredOnly: Type.Boolean(),
    minTalkSeconds: Type.Integer({ minimum: 0, maximum: 86_400 }),
    firstCallOnly: Type.Boolean(),
  }),
});

const SettingsPatch = Type.Object(
  {
    repeatCallerDays: Type.Optional(Settings.properties.repeatCallerDays),
    repeatCallerAttribution: Type.Optional(Settings.properties.repeatCallerAttribution),
    targetCall: Type.Optional(Type.Partial(Settings.properties.targetCall, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export const ProjectSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    timezone: Type.String(),
    currency: Type.String(),
    country: Type.String(),
    publicKey: Type.String({ description: 'goes into the site snippet: data-project="…"' }),
    siteNumbers: Type.Array(Type.String(), {
      description: 'E.164 numbers printed on the site, replaced by the script',
    }),
    defaultDestinationId: Type.Union([Type.String(), Type.Null()]),
    settings: Settings,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Project' },
);

const fields = {
  name: Name,
  timezone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Moscow' }),
  currency: Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217, e.g. RUB' }),
  country: Type.String({
    pattern: '^[A-Za-z]{2}$',
    description: 'ISO 3166 country for reading local numbers',
  }),
  siteNumbers: Type.Array(Type.String({ maxLength: 40 }), { maxItems: 50 }),
  defaultDestinationId: NullableId,
  settings: SettingsPatch,
};

export const CreateProjectBody = Type.Object(
  {
    name: fields.name,
    timezone: Type.Optional(fields.timezone),
    currency: Type.Optional(fields.currency),
    country: Type.Optional(fields.country),
    siteNumbers: Type.Optional(fields.siteNumbers),
    settings: Type.Optional(fields.settings),
  },
  { additionalProperties: false },
);

export const UpdateProjectBody = Type.Partial(Type.Object(fields), {
  additionalProperties: false,
  minProperties: 1,
});
