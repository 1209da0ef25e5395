import type { TokenRequest } from './tokens';

/**
 * The identities a newcomer can pick in local use (explorer, `npm run -s token -- --demo NAME`).
 * Gulou district (鼓楼区, 350102) of Fuzhou holds most demo children.
 */
export const DEMO_IDENTITIES: ReadonlyArray<TokenRequest & { readonly label: string }> = [
  { sub: 'demo-edu-clerk', dept: 'EDU', region: '350102', roles: ['clerk'], label: '鼓楼区教育局 录入员 (EDU clerk, Gulou)' },
  { sub: 'demo-psb-clerk', dept: 'PSB', region: '350102', roles: ['clerk'], label: '鼓楼区公安分局 录入员 (PSB clerk, Gulou)' },
  { sub: 'demo-civil-clerk', dept: 'CIVIL', region: '350102', roles: ['clerk'], label: '鼓楼区民政局 录入员 (CIVIL clerk, Gulou)' },
  { sub: 'demo-poverty-clerk', dept: 'POVERTY', region: '350102', roles: ['clerk'], label: '鼓楼区扶贫办 录入员 (POVERTY clerk, Gulou)' },
  { sub: 'demo-health-clerk', dept: 'HEALTH', region: '350102', roles: ['clerk'], label: '鼓楼区卫健局 录入员 (HEALTH clerk, Gulou)' },
  { sub: 'demo-dpf-clerk', dept: 'DPF', region: '350102', roles: ['clerk'], label: '鼓楼区残联 录入员 (DPF clerk, Gulou)' },
  { sub: 'demo-health-expert', dept: 'HEALTH', region: '350102', roles: ['expert'], label: '鼓楼区专家组 卫健专家 (HEALTH expert, Gulou)' },
  { sub: 'demo-edu-liaison', dept: 'EDU', region: '350102', roles: ['liaison'], label: '鼓楼区教育局 联络员 (EDU liaison, Gulou)' },
  { sub: 'demo-civil-liaison', dept: 'CIVIL', region: '350102', roles: ['liaison'], label: '鼓楼区民政局 联络员 (CIVIL liaison, Gulou)' },
  { sub: 'demo-psb-liaison', dept: 'PSB', region: '350102', roles: ['liaison'], label: '鼓楼区公安分局 联络员 (PSB liaison, Gulou)' },
  { sub: 'demo-edu-analyst', dept: 'EDU', region: '350100', roles: ['analyst'], label: '福州市教育局 分析员 (EDU analyst, Fuzhou)' },
  { sub: 'demo-edu-supervisor', dept: 'EDU', region: '350000', roles: ['supervisor'], label: '省教育督导 (EDU supervisor, province)' },
  { sub: 'demo-township-clerk', dept: 'TOWNSHIP', region: '350102001', roles: ['clerk'], label: '鼓楼区鼓东街道 录入员 (TOWNSHIP clerk, Gudong street, Gulou)' },
  { sub: 'demo-edu-clerk-taijiang', dept: 'EDU', region: '350103', roles: ['clerk'], label: '台江区教育局 录入员 (EDU clerk, Taijiang)' },
];
