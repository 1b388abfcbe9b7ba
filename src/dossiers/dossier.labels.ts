/** How people name dossier states and events, Vietnamese first: the seeds' own words. */
import type { DossierState } from './dossier.state-machine.js';

export interface Label {
  readonly vi: string;
  readonly en: string;
}

export const STATE_LABELS: Readonly<Record<DossierState, Label>> = {
  received: { vi: 'Đã tiếp nhận', en: 'Received' },
  in_progress: { vi: 'Đang giải quyết', en: 'In progress' },
  awaiting_supplement: { vi: 'Chờ bổ sung', en: 'Awaiting supplement' },
  result_ready: { vi: 'Đã có kết quả', en: 'Result ready' },
  returned: { vi: 'Đã trả kết quả', en: 'Returned' },
  refused: { vi: 'Không đủ điều kiện giải quyết', en: 'Refused' },
  withdrawn: { vi: 'Đã rút hồ sơ', en: 'Withdrawn' },
  stopped: { vi: 'Dừng xử lý', en: 'Stopped' },
};

/** Event types as the history shows them; `undo` is the desk's correction of a wrong action. */
export const EVENT_LABELS: Readonly<Record<string, Label>> = {
  step: { vi: 'Chuyển bước', en: 'Step' },
  supplement_requested: { vi: 'Yêu cầu bổ sung', en: 'Supplement requested' },
  supplement_received: { vi: 'Nhận hồ sơ bổ sung', en: 'Supplement received' },
  result_ready: { vi: 'Có kết quả', en: 'Result ready' },
  returned: { vi: 'Trả kết quả', en: 'Returned' },
  refused: { vi: 'Không đủ điều kiện', en: 'Refused' },
  withdrawn: { vi: 'Rút hồ sơ', en: 'Withdrawn' },
  stopped: { vi: 'Dừng xử lý', en: 'Stopped' },
  due_changed: { vi: 'Đổi ngày hẹn trả', en: 'Due date changed' },
  undo: { vi: 'Hoàn tác', en: 'Undone' },
};
