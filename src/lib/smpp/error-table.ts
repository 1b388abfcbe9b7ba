/**
 * What an SMPP failure means for the message: try again later (retryable) or give up (permanent), with
 * the short reason stored on a failed message. One table for every command_status, plus the failures
 * that happen on our side of the connection.
 */
import { STATUS, commandStatusName } from './pdu.js';

export interface SmppFailure {
  readonly retryable: boolean;
  readonly reason: string;
}

const retry = (reason: string): SmppFailure => ({ retryable: true, reason });
const permanent = (reason: string): SmppFailure => ({ retryable: false, reason });

const TABLE: ReadonlyMap<number, SmppFailure> = new Map([
  // The SMSC is busy or something went wrong on its side: the same message may well pass later.
  [STATUS.ESME_RTHROTTLED, retry('throttled')],
  [STATUS.ESME_RMSGQFUL, retry('queue_full')],
  [STATUS.ESME_RSYSERR, retry('smsc_system_error')],
  [STATUS.ESME_RSUBMITFAIL, retry('submit_failed')],
  [STATUS.ESME_RX_T_APPN, retry('temporary_application_error')],
  [STATUS.ESME_RINVBNDSTS, retry('not_bound')],
  [STATUS.ESME_RDELIVERYFAILURE, retry('delivery_failure')],
  [STATUS.ESME_RUNKNOWNERR, retry('smsc_unknown_error')],
  [STATUS.ESME_RINVCMDLEN, retry('protocol_error')],
  [STATUS.ESME_RINVCMDID, retry('protocol_error')],
  // The message itself is wrong for this SMSC: sending it again gives the same answer.
  [STATUS.ESME_RINVMSGLEN, permanent('invalid_message_length')],
  [STATUS.ESME_RINVDSTADR, permanent('invalid_destination')],
  [STATUS.ESME_RINVDSTTON, permanent('invalid_destination')],
  [STATUS.ESME_RINVDSTNPI, permanent('invalid_destination')],
  [STATUS.ESME_RINVSRCADR, permanent('invalid_source')],
  [STATUS.ESME_RINVSRCTON, permanent('invalid_source')],
  [STATUS.ESME_RINVSRCNPI, permanent('invalid_source')],
  [STATUS.ESME_RINVESMCLASS, permanent('invalid_esm_class')],
  [STATUS.ESME_RINVDCS, permanent('invalid_data_coding')],
  [STATUS.ESME_RINVPRTFLG, permanent('invalid_priority')],
  [STATUS.ESME_RINVREGDLVFLG, permanent('invalid_registered_delivery')],
  [STATUS.ESME_RINVSERTYP, permanent('invalid_service_type')],
  [STATUS.ESME_RINVSCHED, permanent('invalid_schedule')],
  [STATUS.ESME_RINVEXPIRY, permanent('invalid_validity')],
  [STATUS.ESME_RINVDFTMSGID, permanent('invalid_default_message')],
  [STATUS.ESME_RINVNUMDESTS, permanent('invalid_destination_count')],
  [STATUS.ESME_RINVOPTPARSTREAM, permanent('invalid_optional_parameters')],
  [STATUS.ESME_ROPTPARNOTALLWD, permanent('invalid_optional_parameters')],
  [STATUS.ESME_RINVPARLEN, permanent('invalid_optional_parameters')],
  [STATUS.ESME_RMISSINGOPTPARAM, permanent('invalid_optional_parameters')],
  [STATUS.ESME_RINVOPTPARAMVAL, permanent('invalid_optional_parameters')],
  [STATUS.ESME_RX_P_APPN, permanent('rejected_by_application')],
  [STATUS.ESME_RX_R_APPN, permanent('rejected_by_application')],
  // Bind-time answers: the account is wrong. Sends fail until an operator fixes the configuration.
  [STATUS.ESME_RBINDFAIL, permanent('bind_failed')],
  [STATUS.ESME_RINVPASWD, permanent('invalid_credentials')],
  [STATUS.ESME_RINVSYSID, permanent('invalid_credentials')],
  [STATUS.ESME_RINVSYSTYP, permanent('invalid_credentials')],
  [STATUS.ESME_RALYBND, retry('already_bound')],
]);

/**
 * How to treat a non-zero command_status. Statuses not in the table (vendor-specific 0x400–0x4FF and
 * reserved ones) are retryable: the dispatcher's attempt limit bounds them, and a real permanent
 * rejection then still ends as `gave_up:smpp_0x…`.
 */
export function classifyCommandStatus(status: number): SmppFailure {
  return TABLE.get(status) ?? retry(`smpp_${commandStatusName(status).toLowerCase()}`);
}

/** Failures on our side of the connection; all of them retryable. */
export const LOCAL_FAILURE = {
  responseTimeout: retry('response_timeout'),
  connectionLost: retry('connection_lost'),
  sessionDown: retry('session_down'),
  queueTimeout: retry('queue_timeout'),
  closing: retry('session_closing'),
} as const satisfies Record<string, SmppFailure>;
