import { createApp } from 'vue';
import App from './App.vue';
import { createConsoleRouter } from './router';

createApp(App).use(createConsoleRouter()).mount('#app');
