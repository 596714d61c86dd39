import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Whoami } from '../api/types.ts';
import { type ActionName, allowed } from './permissions.ts';

/** Who is signed in, for the pages that offer write actions (App provides it). */
export const PrincipalContext = createContext<Whoami | undefined>(undefined);

/** `can('flowDelete')`: whether the signed-in principal may do it. */
export function useCan(): (action: ActionName) => boolean {
  const who = useContext(PrincipalContext);
  return (action) => allowed(who, action);
}
