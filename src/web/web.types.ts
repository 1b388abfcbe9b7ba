/** The people on the staff screens are web accounts: their types are defined in accounts and pages take them from here. */
export {
  WEB_ROLES,
  principalForUser,
  scopeAgency,
  seesAllAgencies,
  type WebLang,
  type WebRole,
  type WebUser,
} from '../accounts/web-user.js';
