// One record row of RecordGrid (and its details row when expanded): a component of its own, so a live change of
// one record draws that row again and no other. Cells come from the grid's column renderers.
import { defineComponent, Fragment, h, type PropType, type VNodeChild } from 'vue';
import type { RecordRowFragment } from '../graphql/generated/graphql';

export interface GridColumn {
  key: string;
  title: string | (() => VNodeChild);
  width?: number;
  minWidth?: number;
  align?: 'left' | 'right';
  /** One line cut with an ellipsis; the whole text on hover. */
  ellipsis?: boolean;
  /** The hover text of a cell whose content is not plain text (a cut link, say). */
  hover?: (record: RecordRowFragment) => string;
  /** Left out until the reader picks it in the column chooser. */
  hiddenByDefault?: boolean;
  /** Never offered to hide (what identifies a row, and its actions). */
  alwaysShown?: boolean;
  render(record: RecordRowFragment): VNodeChild;
}

export const GridRow = defineComponent({
  name: 'GridRow',
  props: {
    record: { type: Object as PropType<RecordRowFragment>, required: true },
    columns: { type: Array as PropType<GridColumn[]>, required: true },
    rowClass: { type: String, required: true },
    expanded: { type: Boolean, required: true },
    expand: { type: Function as PropType<(record: RecordRowFragment) => VNodeChild>, default: undefined },
  },
  emits: { toggle: () => true },
  setup(props, { emit }) {
    return () => {
      const { record, columns, expanded, expand } = props;
      const cells = columns.map((column) => {
        const content = column.render(record);
        return h(
          'td',
          {
            key: column.key,
            class: { num: column.align === 'right', ellipsis: column.ellipsis },
            title: column.hover?.(record) ?? (column.ellipsis && typeof content === 'string' ? content : undefined),
          },
          column.ellipsis ? h('span', { class: 'cut' }, [content]) : [content],
        );
      });
      if (expand) {
        cells.unshift(
          h('td', { key: '_expand', class: 'expand-cell' }, [
            h(
              'button',
              {
                type: 'button',
                class: ['expand-toggle', { open: expanded }],
                // For the mouse: the keyboard and screen readers open a record by its own button (the source id, Details).
                'aria-hidden': 'true',
                tabindex: -1,
                onClick: () => emit('toggle'),
              },
              '›',
            ),
          ]),
        );
      }
      const row = h(
        'tr',
        {
          class: [props.rowClass, { 'row-expanded': expanded }],
          'data-record-id': record.id,
          'data-source-id': record.sourceId,
          'data-status': record.status,
        },
        cells,
      );
      if (!expanded || !expand) return row;
      return h(Fragment, [row, h('tr', { class: 'details-row' }, [h('td', { colspan: cells.length }, [expand(record)])])]);
    };
  },
});
