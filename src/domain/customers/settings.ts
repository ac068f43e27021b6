import type { AppConfig } from '../../config/index.js';
import type { CustomerMappingSettings } from './mapping.js';

export function mappingSettings(config: AppConfig): CustomerMappingSettings {
  return {
    statusIfNew: config.sync.customerStatusIfNew,
    includeInactive: config.sync.includeInactive,
    includeOnHold: config.sync.includeOnHold,
    customerNumberMergeTag: config.sync.customerNumberMergeTag,
  };
}

/** The merge fields customer members use; created in the audience when missing. */
export function customerMergeFields(settings: CustomerMappingSettings) {
  return [
    { tag: 'FNAME', name: 'First Name', type: 'text' },
    { tag: 'LNAME', name: 'Last Name', type: 'text' },
    { tag: 'ADDRESS', name: 'Address', type: 'address' },
    { tag: 'PHONE', name: 'Phone Number', type: 'phone' },
    { tag: 'COMPANY', name: 'Company', type: 'text' },
    { tag: settings.customerNumberMergeTag, name: 'Sage customer number', type: 'text' },
  ] as const;
}
