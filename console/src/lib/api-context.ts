import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { AdminApi } from './admin-api';

export const ApiContext = createContext<AdminApi | null>(null);

export function useApi(): AdminApi {
  const api = useContext(ApiContext);
  if (api === null) throw new Error('useApi outside a signed-in console');
  return api;
}
