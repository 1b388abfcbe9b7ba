/** Shared by the state-machine tests (test/dossiers/): step names and the refusal text, written out by hand. */
import type { DossierEventType, DossierState, StepNames } from '../../src/dossiers/dossier.state-machine.js';

export const NAMES: StepNames = { resultStepName: 'Trả kết quả', supplementStepName: 'Chờ bổ sung' };

/** The step a dossier carries in each state in the table below. */
export const CURRENT_STEP: Record<DossierState, string> = {
  received: 'Tiếp nhận hồ sơ',
  in_progress: 'Xử lý hồ sơ',
  awaiting_supplement: 'Chờ bổ sung',
  result_ready: 'Trả kết quả',
  returned: 'Đã trả kết quả',
  refused: 'Không đủ điều kiện giải quyết',
  withdrawn: 'Rút hồ sơ',
  stopped: 'Dừng xử lý',
};

export const forbiddenReason = (state: DossierState, type: DossierEventType) =>
  `Không thể áp dụng sự kiện "${type}" cho hồ sơ đang ở trạng thái "${state}".`;
