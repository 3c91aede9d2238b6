import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../db/connect.js';
import { AppError, notFound } from '../../errors.js';
import type { ProviderAccountService } from '../telephony/provider-account.service.js';
import type { CallService } from './call.service.js';
import { findCopy } from './recording-archive.repository.js';
import {
  type FetchOptions,
  mangoRecording,
  plainRecording,
  type RecordingAnswer,
  twilioRecording,
  zadarmaRecording,
} from './recording-fetch.js';
import type { RecordingLinks } from './recording-link.js';

type Fetcher = (
  ref: string,
  credentials: Record<string, string>,
  opts: FetchOptions,
) => Promise<RecordingAnswer>;
const FETCHERS = {
  twilio: twilioRecording,
  zadarma: zadarmaRecording,
  mango: mangoRecording,
} satisfies Record<string, Fetcher>;
type ApiProvider = keyof typeof FETCHERS;
const isApiProvider = (p: string): p is ApiProvider => Object.hasOwn(FETCHERS, p);
/** Providers whose recordings Ringtrace copies (a PBX's plain URL is the PBX's to keep). */
export const COPIED_PROVIDERS: ReadonlySet<string> = new Set(Object.keys(FETCHERS));

/** A recording to play: Ringtrace's copy (a file under `root`), the provider's audio, or a URL to go to. */
export type Playback =
  | { kind: 'file'; root: string; path: string; contentType: string }
  | Exclude<RecordingAnswer, { kind: 'unavailable' }>;

/**
 * A call's recording for a user to play: Ringtrace's own copy when it has one (recording-archive.ts), else fetched
 * from the provider with the credentials of the account that reported the call (Twilio, Zadarma, Mango Office), or
 * a redirect to the URL a PBX sent (generic webhook).
 */
export class RecordingService {
  constructor(
    private readonly deps: {
      db: Db;
      /** Where the copies are (RECORDINGS_DIR). */
      archiveDir: string;
      links: RecordingLinks;
      calls: CallService;
      providerAccounts: ProviderAccountService;
      apis: Record<ApiProvider, string>;
      timeoutMs: number;
      fetch?: typeof fetch;
    },
  ) {}

  /** Throws not_found (no such call in the project, or no recording) or recording_unavailable (502). */
  async open(projectId: string, callId: string, range?: string): Promise<Playback> {
    const copy = await findCopy(this.deps.db, projectId, callId);
    // A copy removed from the disk by hand is fetched from the provider again.
    if (copy?.file && existsSync(join(this.deps.archiveDir, copy.file)))
      return {
        kind: 'file',
        root: this.deps.archiveDir,
        path: copy.file,
        contentType: copy.content_type ?? 'audio/mpeg',
      };
    return this.fromProvider(projectId, callId, range);
  }

  /** The recording by its signed link: not_found unless the token signs this call (nothing tells which part failed). */
  async openByLink(callId: string, token: string, range?: string): Promise<Playback> {
    const projectId = this.deps.links.verify(callId, token)
      ? await this.deps.calls.projectOf(callId)
      : undefined;
    if (projectId === undefined) throw notFound('a recording at this link');
    return this.open(projectId, callId, range);
  }

  /** The recording as its provider has it, whatever Ringtrace keeps (what the archive copies). */
  async fromProvider(
    projectId: string,
    callId: string,
    range?: string,
  ): Promise<Exclude<RecordingAnswer, { kind: 'unavailable' }>> {
    const source = await this.deps.calls.recordingOf(projectId, callId);
    if (!source.recordingUrl) throw notFound(`a recording of call ${callId}`);
    let answer: RecordingAnswer;
    if (isApiProvider(source.provider)) {
      const credentials = await this.deps.providerAccounts.credentialsFor(
        source.provider,
        source.providerAccountId,
        projectId,
      );
      if (!credentials)
        throw new AppError(
          'recording_unavailable',
          `no ${source.provider} account is connected to fetch it with`,
        );
      answer = await FETCHERS[source.provider](source.recordingUrl, credentials, {
        api: this.deps.apis[source.provider],
        timeoutMs: this.deps.timeoutMs,
        ...(range !== undefined && { range }),
        ...(this.deps.fetch && { fetch: this.deps.fetch }),
      });
    } else {
      answer = plainRecording(source.recordingUrl);
    }
    if (answer.kind === 'unavailable') throw new AppError('recording_unavailable', answer.message);
    return answer;
  }
}
