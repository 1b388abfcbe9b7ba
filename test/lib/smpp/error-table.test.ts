/** How each SMPP command_status and each local failure is classified: retryable or permanent, with a reason. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS, commandStatusName } from '../../../src/lib/smpp/pdu.js';
import { classifyCommandStatus, LOCAL_FAILURE } from '../../../src/lib/smpp/error-table.js';

describe('error table', () => {
  const rows: Array<[number, boolean, string]> = [
    [STATUS.ESME_RTHROTTLED, true, 'throttled'],
    [STATUS.ESME_RMSGQFUL, true, 'queue_full'],
    [STATUS.ESME_RSYSERR, true, 'smsc_system_error'],
    [STATUS.ESME_RSUBMITFAIL, true, 'submit_failed'],
    [STATUS.ESME_RX_T_APPN, true, 'temporary_application_error'],
    [STATUS.ESME_RINVBNDSTS, true, 'not_bound'],
    [STATUS.ESME_RINVDSTADR, false, 'invalid_destination'],
    [STATUS.ESME_RINVDSTTON, false, 'invalid_destination'],
    [STATUS.ESME_RINVSRCADR, false, 'invalid_source'],
    [STATUS.ESME_RINVSRCTON, false, 'invalid_source'],
    [STATUS.ESME_RINVMSGLEN, false, 'invalid_message_length'],
    [STATUS.ESME_RINVESMCLASS, false, 'invalid_esm_class'],
    [STATUS.ESME_RX_R_APPN, false, 'rejected_by_application'],
    [STATUS.ESME_RX_P_APPN, false, 'rejected_by_application'],
    [STATUS.ESME_RINVDCS, false, 'invalid_data_coding'],
    [STATUS.ESME_RINVPASWD, false, 'invalid_credentials'],
    [0x401, true, 'smpp_0x00000401'],
  ];
  for (const [status, retryable, reason] of rows) {
    test(`${commandStatusName(status)}: ${retryable ? 'retryable' : 'permanent'} ${reason}`, () =>
      assert.deepEqual(classifyCommandStatus(status), { retryable, reason }));
  }
  test('every local failure (timeouts, lost connection, session down) is retryable', () => {
    for (const [name, failure] of Object.entries(LOCAL_FAILURE)) assert.equal(failure.retryable, true, name);
    assert.equal(LOCAL_FAILURE.responseTimeout.reason, 'response_timeout');
  });
  test('every named status except ESME_ROK is classified with a reason', () => {
    for (const [name, status] of Object.entries(STATUS)) {
      if (status === 0) continue;
      assert.match(classifyCommandStatus(status).reason, /^[a-z_0-9]+$/, name);
    }
  });
});
