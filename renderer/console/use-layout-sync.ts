// Host side: keeps our room's published layout in step with who is on stage (a guest links in, a
// PK starts or ends) without undoing hand-made changes for people who stay. A PK switches to the
// side-by-side template; alone again, the room returns to its own template.
import { useEffect } from 'react';
import type { LayoutTemplateId } from '../../common/layout';
import { reconcileLayout, roomParticipants, sameLayout, templateLayout } from './layout-model';
import { useStudio } from './studio-session';

export function useLayoutSync(): void {
  const { api, state, settings } = useStudio();
  const room = state.room;
  const participants = roomParticipants(state);
  const key = room ? `${room.roomId}|${participants.map((p) => `${p.userId}:${p.streamCode}`).join(',')}|${room.layout ? room.layout.participants.map((p) => p.userId).join(',') : '-'}` : '';
  useEffect(() => {
    if (!room || state.server.signal !== 'connected') return;
    const preferred = settings.room.templateId as LayoutTemplateId;
    const pkPeer = state.pk?.peer.userId;
    let target;
    if (pkPeer && !room.layout?.participants.some((p) => p.userId === pkPeer)) {
      // A PK starts: the two hosts side by side, as audiences expect.
      target = templateLayout(2, participants);
    } else if (participants.length === 1 && room.layout && room.layout.templateId !== preferred) {
      // Solo again (PK over, guests gone): back to the room's own template.
      target = templateLayout(preferred, participants);
    } else target = reconcileLayout(room.layout, participants, preferred);
    if (!target || sameLayout(target, room.layout)) return;
    // A refusal here (someone left in the meantime) is followed by the next state change.
    api.setLayout({ layout: target }).catch(() => undefined);
    // Only who is in the room matters; the rest is read fresh when it changes.
  }, [key, state.server.signal]);
}
