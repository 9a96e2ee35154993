// The wall clock, re-read every `periodMs` while `active` (countdowns).
import { useEffect, useState } from 'react';

export function useNow(active: boolean, periodMs = 500): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [active, periodMs]);
  return now;
}
