import { createApp } from 'vue';
import App from './App.vue';
import { takeKeyFromAddress } from './composables/useApiKey';
import { createConsoleRouter } from './router';

// Before the router reads the address: it would otherwise carry `#key=` into its first navigation.
takeKeyFromAddress();
createApp(App).use(createConsoleRouter()).mount('#app');
