// Who is looking: the key's name, role and tenant (from `me`), which decide the actions the console shows.
import { type ComputedRef, computed, type InjectionKey, inject, provide, type Ref } from 'vue';
import { canAdminister, canOperate, type Role } from '../support/permissions';

export interface Viewer {
  id: string;
  name: string;
  role: Role;
  tenantId?: string | null;
}

export interface ViewerState {
  viewer: Ref<Viewer | null>;
  canOperate: ComputedRef<boolean>;
  canAdminister: ComputedRef<boolean>;
}

const VIEWER: InjectionKey<ViewerState> = Symbol('viewer');

export function provideViewer(viewer: Ref<Viewer | null>): ViewerState {
  const state: ViewerState = {
    viewer,
    canOperate: computed(() => canOperate(viewer.value?.role)),
    canAdminister: computed(() => canAdminister(viewer.value?.role)),
  };
  provide(VIEWER, state);
  return state;
}

export function useViewer(): ViewerState {
  const state = inject(VIEWER);
  if (!state) throw new Error('useViewer() needs an ApiSession above it');
  return state;
}
