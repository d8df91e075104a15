// A confirmation before anything that changes data, as a promise (naive-ui's dialog: focus trapped, Esc cancels).
import { useDialog } from 'naive-ui';

export function useConfirm() {
  const dialog = useDialog();
  return (title: string, content: string, confirmText: string): Promise<boolean> =>
    new Promise((resolve) => {
      dialog.warning({
        title,
        content,
        positiveText: confirmText,
        negativeText: 'Keep as is',
        onPositiveClick: () => resolve(true),
        onNegativeClick: () => resolve(false),
        onClose: () => resolve(false),
        onMaskClick: () => resolve(false),
      });
    });
}
