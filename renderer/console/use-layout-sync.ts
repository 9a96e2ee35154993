// Host side: keeps our room's published layout in step with who is on stage (a guest links in, a
// PK starts or ends) without undoing hand-made changes for people who stay.
import { useEffect } from 'react';
import type { LayoutTemplateId } from '../../common/layout';
import { reconcileLayout, roomParticipants, sameLayout } from './layout-model';
import { useStudio } from './studio-session';

export function useLayoutSync(): void {
  const { api, state, settings } = useStudio();
  const room = state.room;
  const participants = roomParticipants(state);
  const key = room ? `${room.roomId}|${participants.map((p) => `${p.userId}:${p.streamCode}`).join(',')}|${room.layout ? room.layout.participants.map((p) => p.userId).join(',') : '-'}` : '';
  useEffect(() => {
    if (!room || state.server.signal !== 'connected') return;
    const target = reconcileLayout(room.layout, participants, settings.room.templateId as LayoutTemplateId);
    if (!target || sameLayout(target, room.layout)) return;
    // A refusal here (someone left in the meantime) is followed by the next state change.
    api.setLayout({ layout: target }).catch(() => undefined);
    // Only who is in the room matters; the rest is read fresh when it changes.
  }, [key, state.server.signal]);
}
